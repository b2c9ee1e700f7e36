//! Integration tests against a real Apache Kafka broker, in one test binary so that every test shares one broker container.

mod bad_input;
mod broker;
mod cluster;
mod exactly_once;
mod failures;
mod lookup;
mod lookup_limits;
mod lookup_queries;
mod lookup_revisions;
mod lookup_security;
mod lookup_topic;
mod lookup_urls;
mod lookup_watch;
mod metrics;
mod outputs;
mod pipeline;
mod traces;
