//! End-to-end tests: HTTP against a real `wrangler dev` (workerd, local D1 and Queues).

mod fakes;
mod fakes_sms;
mod slack_fake;
mod support;

mod browser_auth;
mod bulk;
mod deliveries;
mod email;
mod errors;
mod meta;
mod mobile_push;
mod notifications;
mod push_hosts;
mod push_service;
mod rate_limits;
mod realtime;
mod restart;
mod rotation;
mod schedule;
mod slack;
mod sms;
mod subscriptions;
mod user_list;
mod users;
mod web_push;
mod webhooks;
