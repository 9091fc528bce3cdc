//! `serve` makes only a few previews at once: 12 uploads at the same moment are either served
//! in turn or told the server is busy (503 with a message), and the number processed at once
//! never goes above the bound, so memory does not grow with the number of requests.

use crate::serve::{Part, start};
use crate::upload_privacy::{post, token};

/// A 400×400 gradient.
fn large_picture() -> Vec<u8> {
    let image = image::RgbImage::from_fn(400, 400, |x, y| {
        image::Rgb([(x / 3) as u8, (y / 3) as u8, ((x + y) / 5) as u8])
    });
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

#[test]
fn concurrent_previews_are_bounded_and_the_rest_wait_or_are_told_to_retry() {
    let server = start("", |_| {});
    let base = server.base.clone();
    let token = token(&base);
    let picture = large_picture();
    let answers: Vec<(u16, serde_json::Value)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..12)
            .map(|_| {
                scope.spawn(|| {
                    post(
                        &base,
                        &token,
                        "/_avatars/api/preview",
                        &[Part::File("file", &picture)],
                    )
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut served = 0;
    for (status, answer) in &answers {
        match status {
            200 => {
                assert_eq!(answer["side"], 400, "{answer}");
                served += 1;
            }
            503 => {
                assert_eq!(answer["code"], "busy", "{answer}");
                assert!(
                    answer["error"].as_str().unwrap().contains("try again"),
                    "{answer}"
                );
            }
            other => panic!("{other}: {answer}"),
        }
    }
    assert!(served >= 2, "{answers:?}");
    let status = server.get("/_avatars/api/status").json();
    let (slots, peak) = (
        status["preview_slots"].as_u64().unwrap(),
        status["preview_peak"].as_u64().unwrap(),
    );
    assert!(slots >= 1 && peak >= 1, "{status}");
    assert!(peak <= slots, "{peak} previews at once, bound {slots}");
    // Once the crowd is gone a preview goes through again.
    let (again, answer) = post(
        &base,
        &token,
        "/_avatars/api/preview",
        &[Part::File("file", &picture)],
    );
    assert_eq!(again, 200, "{answer}");
}
