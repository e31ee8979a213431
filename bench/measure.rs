//! `measure CMD ARGS...`: runs one command with stdout and stderr discarded and prints
//! `wall_ns max_rss_kb user_us sys_us exit_code` for it.
//!
//! Why not Python's own spawn: a child forked (or vforked) from a process keeps that
//! process's resident-set high-water mark through `exec`, so `ru_maxrss` would report
//! Python's ~20 MB for every tool. This helper is a few hundred KB, so the floor it adds
//! is small, and the same for every tool. Compiled by bench.py with `rustc -O`.
//! With `MEASURE_NICE=N` in the environment the command runs at that nice level.

use std::process::{Command, Stdio};
use std::time::Instant;

#[repr(C)]
#[derive(Default)]
struct Timeval {
    sec: i64,
    usec: i64,
}

#[repr(C)]
#[derive(Default)]
struct Rusage {
    utime: Timeval,
    stime: Timeval,
    maxrss: i64,
    rest: [i64; 13],
}

unsafe extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
    fn setpriority(which: i32, who: u32, prio: i32) -> i32;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: measure CMD [ARGS...]");
        std::process::exit(2);
    };
    // MEASURE_NICE=-10: run the command at a higher priority than other users' work, so a
    // shared machine's load disturbs every tool less (needs root; ignored otherwise).
    if let Some(n) = std::env::var("MEASURE_NICE").ok().and_then(|v| v.parse::<i32>().ok()) {
        // SAFETY: plain system call on this process (PRIO_PROCESS = 0, who = 0: ourselves).
        if unsafe { setpriority(0, 0, n) } != 0 {
            eprintln!("measure: cannot set priority {n}; running at the default");
        }
    }
    let start = Instant::now();
    let child = match Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("measure: cannot run {program}: {e}");
            std::process::exit(2);
        }
    };
    let mut status = 0i32;
    let mut usage = Rusage::default();
    // SAFETY: waits for our own child; both pointers are valid for the call.
    let pid = unsafe { wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if pid < 0 {
        eprintln!("measure: wait4 failed");
        std::process::exit(2);
    }
    let code = if status & 0x7f == 0 {
        (status >> 8) & 0xff
    } else {
        128 + (status & 0x7f)
    };
    println!(
        "{} {} {} {} {}",
        wall.as_nanos(),
        usage.maxrss,
        usage.utime.sec * 1_000_000 + usage.utime.usec,
        usage.stime.sec * 1_000_000 + usage.stime.usec,
        code
    );
}
