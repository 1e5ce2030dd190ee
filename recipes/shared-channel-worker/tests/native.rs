//! The service and its serve loop natively: the worker is a std thread running the same
//! `serve` under the executor's `block_on`, over the same channel protocol (the native
//! backend of wasm-rs-shared-channel).
#![cfg(not(target_arch = "wasm32"))]

use std::thread;

use shared_channel_worker::{
    Command, CommandError, Reply, ServeError, Store, median, sample_commands, serve,
};
use wasm_rs_shared_channel::spsc::{self, Receiver, Sender};

type Worker = thread::JoinHandle<Result<Result<u64, ServeError>, wasm_rs_async_executor::RunError>>;

fn start_worker() -> (Sender<Command>, Receiver<Reply>, Worker) {
    let (commands, command_rx) = spsc::channel::<Command>(64 * 1024).unwrap();
    let (reply_tx, replies) = spsc::channel::<Reply>(64 * 1024).unwrap();
    let worker =
        thread::spawn(move || wasm_rs_async_executor::block_on(serve(command_rx, reply_tx)));
    (commands, replies, worker)
}

#[test]
fn replies_arrive_in_order_and_match_a_local_store() {
    let (mut commands, mut replies, worker) = start_worker();
    let script = sample_commands(1000);
    let mut oracle = Store::default();
    let expected: Vec<Reply> = script.iter().cloned().map(|c| oracle.handle(c)).collect();
    // Send everything first (the rings hold it all), then read: a burst, not lock-step.
    for command in script {
        commands.send(command).unwrap();
    }
    let received: Vec<Reply> = (0..expected.len())
        .map(|_| replies.recv().unwrap())
        .collect();
    assert_eq!(received, expected);
    assert!(received.iter().any(|r| r.result.is_err()));
    drop(commands);
    assert_eq!(worker.join().unwrap().unwrap(), Ok(1000));
}

#[test]
fn a_failing_command_is_answered_with_an_error_and_the_worker_goes_on() {
    let (mut commands, mut replies, worker) = start_worker();
    commands
        .send(Command::Divide {
            key: "n".into(),
            by: 2,
        })
        .unwrap();
    assert_eq!(
        replies.recv().unwrap(),
        Reply {
            seq: 0,
            result: Err(CommandError::UnknownKey("n".into()))
        }
    );
    commands
        .send(Command::Set {
            key: "n".into(),
            value: i64::MIN,
        })
        .unwrap();
    commands
        .send(Command::Divide {
            key: "n".into(),
            by: 0,
        })
        .unwrap();
    commands
        .send(Command::Divide {
            key: "n".into(),
            by: -1,
        })
        .unwrap();
    commands
        .send(Command::Divide {
            key: "n".into(),
            by: 2,
        })
        .unwrap();
    let results: Vec<_> = (0..4).map(|_| replies.recv().unwrap().result).collect();
    assert_eq!(
        results,
        [
            Ok(i64::MIN),
            Err(CommandError::DivisionByZero { key: "n".into() }),
            Err(CommandError::Overflow { key: "n".into() }),
            Ok(i64::MIN / 2),
        ]
    );
    drop(commands);
    assert_eq!(worker.join().unwrap().unwrap(), Ok(5));
}

#[test]
fn dropping_the_command_sender_ends_the_loop_after_the_last_reply() {
    let (mut commands, mut replies, worker) = start_worker();
    for i in 0..3 {
        commands.send(Command::Ping(i)).unwrap();
    }
    drop(commands);
    assert_eq!(worker.join().unwrap().unwrap(), Ok(3));
    // Every reply sent before the loop ended is still there, then the channel is closed.
    for i in 0..3 {
        assert_eq!(replies.recv().unwrap().result, Ok(i64::from(i)));
    }
    assert_eq!(
        replies.recv(),
        Err(wasm_rs_shared_channel::RecvError::Disconnected)
    );
}

#[test]
fn dropping_the_reply_receiver_stops_the_loop_with_a_clear_error() {
    let (mut commands, replies, worker) = start_worker();
    drop(replies);
    commands.send(Command::Ping(1)).unwrap();
    let error = worker.join().unwrap().unwrap().unwrap_err();
    assert!(matches!(error, ServeError::Replies(_)), "{error:?}");
    assert!(
        error.to_string().contains("keep the reply receiver"),
        "{error}"
    );
}

#[test]
fn errors_say_what_to_do_next() {
    let unknown = CommandError::UnknownKey("x".into()).to_string();
    assert!(unknown.contains("send Set"), "{unknown}");
    let zero = CommandError::DivisionByZero { key: "x".into() }.to_string();
    assert!(zero.contains("non-zero divisor"), "{zero}");
}

#[test]
fn median_of_odd_even_and_bad_samples() {
    assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
    assert_eq!(median(&[1.0, 9.0, 2.0, 8.0]), Some(5.0));
    assert_eq!(median(&[3.5]), Some(3.5));
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[1.0, f64::NAN]), None);
}
