//! The one integration-test binary. Each module owns one area; `support`
//! holds the shared harness (the sherpa binary, a real nats-server per test).

mod bench;
mod cli;
mod cluster;
mod duckling_money;
mod duckling_time;
mod eval;
mod event_key;
mod fetch;
mod golden;
mod ops;
mod pool;
mod quality;
mod schemas;
mod support;
mod worker;
