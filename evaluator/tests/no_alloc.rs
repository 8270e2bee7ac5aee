//! The decision path allocates nothing: a counting global allocator checks `decide` on typical
//! policies (no policy variables) for allowed and denied requests.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use trustsim_evaluator::{decide, Decision, Request, TrustPolicy};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper only counts.
#[expect(
    unsafe_code,
    reason = "a counting allocator must implement the unsafe GlobalAlloc trait"
)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn decide_does_not_allocate() {
    let policy = TrustPolicy::from_json(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
                           "ArnLike": {"aws:SourceArn": "arn:aws:events:*:111122223333:rule/*"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
             "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}, "ForAnyValue:StringLike": {"aws:TagKeys": "admin*"}}}]}"#,
    )
    .ok();
    let owner = Request::from_json(r#"{"principal": "events.amazonaws.com", "context": {"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:events:us-east-1:111122223333:rule/r"}}"#).ok();
    let forged = Request::from_json(r#"{"principal": "events.amazonaws.com", "context": {"aws:SourceAccount": "444455556666"}}"#).ok();
    let (Some(policy), Some(owner), Some(forged)) = (policy, owner, forged) else {
        unreachable!("fixtures parse");
    };
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let a = decide(&policy, &owner);
    let b = decide(&policy, &forged);
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!((a, b), (Decision::Allow, Decision::ImplicitDeny));
    assert_eq!(after - before, 0, "decide allocated");
}
