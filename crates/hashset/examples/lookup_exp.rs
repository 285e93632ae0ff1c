#![allow(unsafe_code, clippy::all)]
use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;
use memmap2::{Advice, Mmap, MmapMut};

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
const W: usize = 16; const S: usize = 20;
#[inline(always)] fn pf(p: *const u8) { unsafe { std::arch::x86_64::_mm_prefetch::<{std::arch::x86_64::_MM_HINT_T0}>(p as *const i8) } }
#[inline(always)] fn pre(b: &[u8]) -> u64 { u64::from_be_bytes(b[..8].try_into().unwrap()) }

fn cpu() -> f64 { std::fs::read_to_string("/proc/thread-self/schedstat").unwrap().split_whitespace().next().unwrap().parse::<f64>().unwrap() / 1e9 }
fn smaps_pmd() -> String {
    let s = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap();
    s.lines().filter(|l| l.contains("Pmd") || l.contains("Rss") || l.contains("Huge")).collect::<Vec<_>>().join(" | ")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = 50_000_000;
    let path = "/tmp/lkexp/table.bin";
    if args[1] == "gen" {
        let mut v: Vec<[u8; S]> = (0..n as u64).map(|i| { let mut e = [0u8; S]; e[..8].copy_from_slice(&mix(i*4).to_be_bytes()); e[8..16].copy_from_slice(&mix(i*4+1).to_be_bytes()); e[16..].copy_from_slice(&(i as u32).to_le_bytes()); e }).collect();
        v.sort_unstable_by(|a, b| a[..16].cmp(&b[..16]));
        let mut w = BufWriter::new(File::create(path).unwrap());
        for e in &v { w.write_all(e).unwrap(); }
        w.flush().unwrap();
        return;
    }
    let file = File::open(path).unwrap();
    let map = unsafe { Mmap::map(&file).unwrap() };
    let mode = args[1].as_str();
    let t0 = Instant::now();
    let anon;
    let data: &[u8] = if mode == "anon" {
        let mut a = MmapMut::map_anon(map.len()).unwrap();
        a.advise(Advice::HugePage).unwrap();
        a.copy_from_slice(&map);
        anon = a;
        &anon
    } else {
        if mode == "huge" { map.advise(Advice::HugePage).unwrap(); }
        if mode == "random" { map.advise(Advice::Random).unwrap(); }
        &map
    };
    println!("prep {:?} addr {:p}", t0.elapsed(), data.as_ptr());
    assert_eq!(data.len(), n * S);
    // coarse in-memory table 2^c
    let c: u32 = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(20);
    let t0 = Instant::now();
    let mut fence = vec![0u32; (1 << c) + 1];
    { let mut b = 0usize; for i in 0..n { let k = (pre(&data[i*S..]) >> (64 - c)) as usize; while b <= k { fence[b] = i as u32; b += 1; } } while b < fence.len() { fence[b] = n as u32; b += 1; } }
    println!("fence build (full scan) {:?}  {}", t0.elapsed(), smaps_pmd());
    let q = 4_000_000usize;
    let mut keys: Vec<[u8; W]> = Vec::with_capacity(q);
    let mut st = 99u64;
    for k in 0..q { st = mix(st); let i = if k % 2 == 0 { st % n as u64 } else { n as u64 + st % 1_000_000_000 }; let mut d = [0u8; W]; d[..8].copy_from_slice(&mix(i*4).to_be_bytes()); d[8..].copy_from_slice(&mix(i*4+1).to_be_bytes()); keys.push(d); }
    let find = |key: &[u8; W]| -> bool {
        let p = pre(key);
        let b = (p >> (64 - c)) as usize;
        let (lo, hi) = (fence[b] as usize, fence[b + 1] as usize);
        if lo == hi { return false; }
        let within = (p << c) as u128; // fraction in bucket
        let guess = lo + ((within * (hi - lo) as u128) >> 64) as usize;
        let mut i = guess.min(hi - 1);
        let at = |i: usize| &data[i * S..i * S + W];
        if at(i) < &key[..] { while i < hi && at(i) < &key[..] { i += 1; } } else { while i > lo && at(i - 1) >= &key[..] { i -= 1; } }
        i < hi && at(i) == &key[..]
    };
    let addr = |key: &[u8; W]| -> *const u8 {
        let p = pre(key);
        let b = (p >> (64 - c)) as usize;
        let (lo, hi) = (fence[b] as usize, fence[b + 1] as usize);
        let within = (p << c) as u128;
        let guess = lo + ((within * (hi.saturating_sub(lo)) as u128) >> 64) as usize;
        unsafe { data.as_ptr().add(guess.min(n - 1) * S) }
    };
    let find2 = |key: &[u8; W]| -> bool {
        let p = pre(key);
        let b = (p >> (64 - c)) as usize;
        let (lo, hi) = (fence[b] as usize, fence[b + 1] as usize);
        if lo == hi { return false; }
        let guess = lo + (((p << c) as u128 * (hi - lo) as u128) >> 64) as usize;
        let mut i = guess;
        let pk = |i: usize| pre(&data[i * S..]);
        if pk(i) < p { i += 1; while i < hi && pk(i) < p { i += 1; } } else { while i > lo && pk(i - 1) >= p { i -= 1; } }
        while i < hi && pk(i) == p { if &data[i*S+8..i*S+16] == &key[8..] { return true; } i += 1; }
        false
    };
    for round in 0..3 {
        for d in [8usize, 12, 16, 24] {
        let t = Instant::now(); let c0 = cpu(); let mut hits = 0;
        for j in 0..q { if j + d < q { let a = addr(&keys[j + d]); pf(a.wrapping_sub(64)); pf(a); pf(a.wrapping_add(64)); } hits += find2(&keys[j]) as usize; }
        let e = t.elapsed().as_secs_f64(); let ce = cpu() - c0; println!("r{round} find2 d={d}: {:.2} M/s wall {:.2} M/s cpu hits {hits}", q as f64 / e / 1e6, q as f64 / ce / 1e6);
        let t = Instant::now(); let mut hits = 0u64;
        for j in 0..q { if j + d < q { let a = addr(&keys[j + d]); pf(a); } hits += unsafe { *addr(&keys[j]) } as u64; }
        let e = t.elapsed().as_secs_f64(); println!("r{round} bound d={d}: {:.2} M/s hits {hits}", q as f64 / e / 1e6);
        }
        let t = Instant::now(); let mut hits = 0; for k in &keys { hits += find(k) as usize; }
        let e = t.elapsed().as_secs_f64(); println!("r{round} single: {:.2} M/s hits {hits}", q as f64 / e / 1e6);
        for d in [8usize, 16, 32, 64] {
        let t = Instant::now(); let mut hits = 0;
        for j in 0..q { if j + d < q { let a = addr(&keys[j + d]); pf(a); pf(unsafe{a.add(64)}); pf(unsafe{a.wrapping_sub(64)}); } hits += find(&keys[j]) as usize; }
        let e = t.elapsed().as_secs_f64(); println!("r{round} batched d={d}: {:.2} M/s hits {hits}", q as f64 / e / 1e6);
        }
    }
    println!("{}", smaps_pmd());
}
