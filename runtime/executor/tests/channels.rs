//! Channels and locks of other crates work on this executor: tokio::sync,
//! async-channel and futures::channel, one test each.

use wasm_rs_async_executor::async_test;

use std::rc::Rc;
use std::time::Duration;

use wasm_rs_async_executor::{JoinSet, sleep, spawn, yield_now};

async_test! {
    async fn tokio_mpsc() {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(4);
        let producer = spawn(async move {
            for i in 0..100 {
                tx.send(i).await.unwrap();
            }
        });
        let mut got = Vec::new();
        while let Some(v) = rx.recv().await {
            got.push(v);
        }
        producer.await.unwrap();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
    }
}

async_test! {
    async fn tokio_oneshot() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        spawn(async move {
            sleep(Duration::from_millis(5)).await;
            tx.send("reply").unwrap();
        })
        .await
        .unwrap();
        assert_eq!(rx.await.unwrap(), "reply");
    }
}

async_test! {
    async fn tokio_watch() {
        let (tx, mut rx) = tokio::sync::watch::channel(0u32);
        let watcher = spawn(async move {
            while *rx.borrow_and_update() < 10 {
                rx.changed().await.unwrap();
            }
            *rx.borrow()
        });
        for i in 1..=10 {
            tx.send(i).unwrap();
            yield_now().await;
        }
        assert_eq!(watcher.await.unwrap(), 10);
    }
}

async_test! {
    async fn tokio_broadcast() {
        let (tx, _) = tokio::sync::broadcast::channel::<u32>(16);
        let mut set = JoinSet::new();
        for _ in 0..3 {
            let mut rx = tx.subscribe();
            set.spawn(async move {
                let mut sum = 0;
                while let Ok(v) = rx.recv().await {
                    sum += v;
                }
                sum
            });
        }
        for i in 1..=10 {
            tx.send(i).unwrap();
        }
        drop(tx);
        for result in set.join_all().await {
            assert_eq!(result.unwrap(), 55);
        }
    }
}

async_test! {
    async fn tokio_mutex() {
        let counter = Rc::new(tokio::sync::Mutex::new(0u32));
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let counter = counter.clone();
            set.spawn(async move {
                for _ in 0..10 {
                    let mut guard = counter.lock().await;
                    let v = *guard;
                    yield_now().await; // hold the lock across a yield
                    *guard = v + 1;
                }
            });
        }
        set.join_all().await;
        assert_eq!(*counter.lock().await, 100);
    }
}

async_test! {
    async fn tokio_rwlock() {
        let lock = Rc::new(tokio::sync::RwLock::new(Vec::<u32>::new()));
        let writer = {
            let lock = lock.clone();
            spawn(async move {
                for i in 0..5 {
                    lock.write().await.push(i);
                    yield_now().await;
                }
            })
        };
        let reader = {
            let lock = lock.clone();
            spawn(async move {
                loop {
                    let len = lock.read().await.len();
                    if len == 5 {
                        break len;
                    }
                    yield_now().await;
                }
            })
        };
        writer.await.unwrap();
        assert_eq!(reader.await.unwrap(), 5);
    }
}

async_test! {
    async fn tokio_notify() {
        let notify = Rc::new(tokio::sync::Notify::new());
        let waiter = {
            let notify = notify.clone();
            spawn(async move {
                notify.notified().await;
                "notified"
            })
        };
        yield_now().await;
        notify.notify_one();
        assert_eq!(waiter.await.unwrap(), "notified");
    }
}

async_test! {
    async fn tokio_semaphore() {
        let permits = Rc::new(tokio::sync::Semaphore::new(2));
        let inside = Rc::new(std::cell::Cell::new(0u32));
        let max_seen = Rc::new(std::cell::Cell::new(0u32));
        let mut set = JoinSet::new();
        for _ in 0..8 {
            let (permits, inside, max_seen) = (permits.clone(), inside.clone(), max_seen.clone());
            set.spawn(async move {
                let _permit = permits.acquire().await.unwrap();
                inside.set(inside.get() + 1);
                max_seen.set(max_seen.get().max(inside.get()));
                yield_now().await;
                inside.set(inside.get() - 1);
            });
        }
        set.join_all().await;
        assert_eq!(max_seen.get(), 2);
    }
}

async_test! {
    async fn async_channel_bounded() {
        let (tx, rx) = async_channel::bounded::<u32>(2);
        let consumer = spawn(async move {
            let mut sum = 0;
            while let Ok(v) = rx.recv().await {
                sum += v;
            }
            sum
        });
        for i in 1..=100 {
            tx.send(i).await.unwrap();
        }
        drop(tx);
        assert_eq!(consumer.await.unwrap(), 5050);
    }
}

async_test! {
    async fn futures_channels() {
        use futures::{SinkExt, StreamExt};
        let (mut tx, mut rx) = futures::channel::mpsc::channel::<u32>(1);
        let (done_tx, done_rx) = futures::channel::oneshot::channel::<u32>();
        drop(spawn(async move {
            let mut sum = 0;
            while let Some(v) = rx.next().await {
                sum += v;
            }
            done_tx.send(sum).unwrap();
        }));
        for i in 1..=10 {
            tx.send(i).await.unwrap();
        }
        drop(tx);
        assert_eq!(done_rx.await.unwrap(), 55);
    }
}

async_test! {
    async fn tokio_mpsc_ping_pong() {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u32>(1);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u32>(1);
        let echo = spawn(async move {
            while let Some(v) = ping_rx.recv().await {
                pong_tx.send(v + 1).await.unwrap();
            }
        });
        let mut v = 0;
        for _ in 0..1000 {
            ping_tx.send(v).await.unwrap();
            v = pong_rx.recv().await.unwrap();
        }
        drop(ping_tx);
        echo.await.unwrap();
        assert_eq!(v, 1000);
    }
}
