//! What one benchmark run prints: a line per tool run, the table against the targets, and
//! issue #16's four figures for the scale presets.

use crate::Settings;
use crate::corpus::Shape;
use crate::measure::Measured;

pub fn print_run(name: &str, run: &Measured) {
    let edges = run.edges.map_or_else(String::new, |(before, after)| {
        format!(
            "; first request after {} ms, exit {} ms after the last",
            before.as_millis(),
            after.as_millis()
        )
    });
    println!(
        "{name:<28} {:>8.3} s {:>7.2} s CPU {:>7} requests {:>7.1} MB peak RSS{edges}",
        run.wall.as_secs_f64(),
        run.cpu.as_secs_f64(),
        run.requests,
        mb(run.peak_rss)
    );
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub fn summary(
    settings: &Settings,
    cold: &Measured,
    warm: &Measured,
    hugo: &[(String, Measured, Measured)],
) {
    let floor = settings.latency.as_secs_f64() * cold.requests as f64 / settings.concurrency as f64;
    println!();
    println!("| measure | value | target |");
    println!("|---|---|---|");
    println!(
        "| network floor ({} requests × {} ms ÷ {}) | {:.2} s | |",
        cold.requests,
        settings.latency.as_millis(),
        settings.concurrency,
        floor
    );
    println!("| our cold build | {:.2} s | |", cold.wall.as_secs_f64());
    if floor > 0.0 {
        println!(
            "| our cold ÷ network floor | {:.2} | ≤ 1.25 |",
            cold.wall.as_secs_f64() / floor
        );
    }
    println!(
        "| our warm build | {:.3} s, {} requests | 0 requests |",
        warm.wall.as_secs_f64(),
        warm.requests
    );
    for (name, hugo_cold, hugo_warm) in hugo {
        let target = if name.contains("default") {
            "≥ 8"
        } else {
            "> 1"
        };
        println!(
            "| {name} cold ÷ our cold | {:.2} ({:.2} s, {} requests) | {target} |",
            hugo_cold.wall.as_secs_f64() / cold.wall.as_secs_f64(),
            hugo_cold.wall.as_secs_f64(),
            hugo_cold.requests
        );
        println!(
            "| {name} warm ÷ our warm | {:.2} ({:.3} s, {} requests) | ≥ 1 |",
            hugo_warm.wall.as_secs_f64() / warm.wall.as_secs_f64(),
            hugo_warm.wall.as_secs_f64(),
            hugo_warm.requests
        );
        println!(
            "| {name} peak RSS cold / warm | {:.0} / {:.0} MB | |",
            mb(hugo_cold.peak_rss),
            mb(hugo_warm.peak_rss)
        );
    }
    println!(
        "| our peak RSS cold / warm | {:.0} / {:.0} MB | < 150 MB |",
        mb(cold.peak_rss),
        mb(warm.peak_rss)
    );
}

/// Issue #16's four figures, from one run.
pub fn scale_summary(shape: &Shape, scan: &Measured, cold: &Measured, warm: &Measured) {
    println!();
    println!(
        "| issue #16 ({} comments, {} commenters) | value | target |",
        shape.comments, shape.identities
    );
    println!("|---|---|---|");
    println!(
        "| warm build ÷ scan | {:.2} ({:.2} s / {:.2} s) | ≤ 1.25 |",
        warm.wall.as_secs_f64() / scan.wall.as_secs_f64(),
        warm.wall.as_secs_f64(),
        scan.wall.as_secs_f64()
    );
    println!(
        "| warm build CPU ÷ scan CPU | {:.2} ({:.2} s / {:.2} s) | |",
        warm.cpu.as_secs_f64() / scan.cpu.as_secs_f64(),
        warm.cpu.as_secs_f64(),
        scan.cpu.as_secs_f64()
    );
    println!("| requests on the warm build | {} | 0 |", warm.requests);
    let rss_target = if shape.comments > 500_000 {
        "≤ 250 MB each"
    } else {
        "≤ 150 MB each"
    };
    println!(
        "| peak RSS cold / warm (scan) | {:.0} / {:.0} MB ({:.0} MB) | {rss_target} |",
        mb(cold.peak_rss),
        mb(warm.peak_rss),
        mb(scan.peak_rss)
    );
    println!(
        "| CPU per commenter, cold | {:.2} ms ({:.1} s CPU, {:.1} s wall) | ≤ 1.5 ms |",
        cold.cpu.as_secs_f64() * 1000.0 / shape.identities as f64,
        cold.cpu.as_secs_f64(),
        cold.wall.as_secs_f64()
    );
}
