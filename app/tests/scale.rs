//! Background work with several servers on one database: each message is
//! sent by exactly one worker, a worker that dies holding messages leaves
//! them to another once its lease ends, and a scheduled job runs on one
//! server at a time.

use std::collections::HashMap;
use std::time::Duration;

use app::ssr::db::open_memory;
use app::ssr::outbox::{claim_and_abandon, deliver_due, record, Channel, Note, Transport};
use app::ssr::purge::claim_job;

fn notes(n: usize) -> Vec<Note> {
    (0..n).map(|i| Note::new(Channel::Email, format!("p{i}@example.com"), "主题", format!("第{i}条"))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_send_each_message_exactly_once() {
    let db = open_memory().await.unwrap();
    for chunk in 0..10 {
        record(&db, notes(30).into_iter().map(|mut n| {
            n.recipient = format!("{chunk}-{}", n.recipient);
            n
        }).collect())
        .await
        .unwrap();
    }
    // Four workers, as four servers would run them, each with its own
    // transport, all claiming from the same table at the same time.
    let mut sinks = Vec::new();
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (transport, sink) = Transport::memory();
        sinks.push(sink);
        let db = db.clone();
        workers.push(tokio::spawn(async move {
            let mut idle = 0;
            while idle < 3 {
                match deliver_due(&db, &transport, 7).await {
                    Ok(0) => idle += 1,
                    Ok(_) => idle = 0,
                    // Two claims of the same rows at once: one loses the
                    // transaction and tries again, as the worker does.
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for sink in &sinks {
        for m in sink.lock().unwrap().iter() {
            *seen.entry(m.recipient.clone()).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 300, "every message was sent");
    assert!(seen.values().all(|&n| n == 1), "no message went twice: {:?}", seen.iter().filter(|(_, &n)| n > 1).collect::<Vec<_>>());
    let busy = sinks.iter().filter(|s| !s.lock().unwrap().is_empty()).count();
    assert!(busy >= 2, "the work was shared ({busy} of 4 workers sent)");
    let mut res = db.query("SELECT VALUE status FROM outbox").await.unwrap();
    let statuses: Vec<String> = res.take(0).unwrap();
    assert!(statuses.iter().all(|s| s == "sent"), "{statuses:?}");
}

#[tokio::test]
async fn a_worker_killed_holding_messages_leaves_them_for_another_after_its_lease() {
    let db = open_memory().await.unwrap();
    record(&db, notes(3)).await.unwrap();
    // A server claims them and dies before sending (kill -9 after the claim).
    // (Leases of 3 s: long enough that a slow test machine still asks
    // within them, short enough for a test.)
    assert_eq!(claim_and_abandon(&db, 10, 3).await.unwrap(), 3);
    let (transport, sink) = Transport::memory();
    assert_eq!(deliver_due(&db, &transport, 10).await.unwrap(), 0, "held by the lease");
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    assert_eq!(deliver_due(&db, &transport, 10).await.unwrap(), 3, "taken again once the lease ended");
    assert_eq!(sink.lock().unwrap().len(), 3);
    assert_eq!(deliver_due(&db, &transport, 10).await.unwrap(), 0);
}

#[tokio::test]
async fn a_scheduled_job_runs_on_one_server_until_its_lease_ends() {
    let db = open_memory().await.unwrap();
    assert!(claim_job(&db, "purge", 3).await.unwrap(), "the first server takes it");
    assert!(!claim_job(&db, "purge", 3).await.unwrap(), "another server does not, while it is held");
    assert!(claim_job(&db, "other", 3).await.unwrap(), "another job is free");
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    assert!(claim_job(&db, "purge", 1).await.unwrap(), "free again after the lease");
    // Ten servers at once: exactly one gets it.
    let db2 = db.clone();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let tries = (0..10).map(|_| {
        let db = db2.clone();
        async move { claim_job(&db, "purge", 60).await.unwrap() }
    });
    let taken = futures::future::join_all(tries).await.into_iter().filter(|&t| t).count();
    assert_eq!(taken, 1);
}
