use super::*;

#[derive(Debug, Clone, Default, PartialEq)]
struct Params {
    limit: u32,
    after: Option<String>,
    before: Option<String>,
}

impl Paginate for Params {
    fn starting_after(&self) -> Option<&str> {
        self.after.as_deref()
    }
    fn ending_before(&self) -> Option<&str> {
        self.before.as_deref()
    }
    fn with_cursor(&self, id: &str, forward: bool) -> Self {
        let id = Some(id.to_owned());
        let (after, before) = if forward { (id, None) } else { (None, id) };
        Params {
            limit: self.limit,
            after,
            before,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Obj(String);

impl Resource for Obj {
    const OBJECT: &'static str = "obj";
    fn id(&self) -> &str {
        &self.0
    }
}

fn page(ids: &[&str], has_more: bool) -> List<Obj> {
    List {
        object: "list".to_owned(),
        url: "/v1/connect/payment_intents".to_owned(),
        has_more,
        data: ids.iter().map(|id| Obj((*id).to_owned())).collect(),
    }
}

fn after(id: &str) -> Params {
    Params {
        limit: 2,
        after: Some(id.to_owned()),
        before: None,
    }
}

#[test]
fn next_page_starts_after_the_last_object_and_keeps_other_params() {
    let mut pager = Pager::new(Params {
        limit: 2,
        ..Params::default()
    });
    pager.advance(&page(&["pi_4", "pi_3"], true));
    assert_eq!(pager.next_params(), Some(&after("pi_3")));
    pager.advance(&page(&["pi_2", "pi_1"], true));
    assert_eq!(pager.next_params(), Some(&after("pi_1")));
}

#[test]
fn a_page_without_more_ends_the_listing() {
    let mut pager = Pager::new(Params::default());
    pager.advance(&page(&["pi_2", "pi_1"], false));
    assert_eq!(pager.next_params(), None);
}

#[test]
fn an_empty_page_claiming_more_ends_the_listing() {
    let mut pager = Pager::new(Params::default());
    pager.advance(&page(&[], true));
    assert_eq!(pager.next_params(), None);
}

#[test]
fn a_server_repeating_the_cursor_cannot_loop_the_caller() {
    let mut pager = Pager::new(after("pi_1"));
    pager.advance(&page(&["pi_1"], true));
    assert_eq!(pager.next_params(), None);
}

#[test]
fn ending_before_pages_backward_from_the_first_object() {
    let start = Params {
        limit: 2,
        after: None,
        before: Some("pi_9".to_owned()),
    };
    let mut pager = Pager::new(start);
    pager.advance(&page(&["pi_11", "pi_10"], true));
    let expected = Params {
        limit: 2,
        after: None,
        before: Some("pi_11".to_owned()),
    };
    assert_eq!(pager.next_params(), Some(&expected));
}

#[test]
fn auto_pager_hands_out_every_item_in_order_across_pages() {
    let mut pages = AutoPager::<Params, Obj>::new(Params::default());
    let mut seen = Vec::new();
    let mut fetched = Vec::new();
    let mut server = vec![page(&["c"], false), page(&["e", "d"], true)];
    loop {
        match pages.poll() {
            PageStep::Item(item) => seen.push(item.0),
            PageStep::Fetch(params) => {
                fetched.push(params.after.clone());
                pages.handle_page(server.pop().expect("the test serves two pages"));
            }
            PageStep::Done => break,
        }
    }
    assert_eq!(seen, ["e", "d", "c"]);
    assert_eq!(fetched, [None, Some("d".to_owned())]);
}

#[test]
fn the_cap_stops_items_and_fetches_exactly_at_the_limit() {
    let mut pages = AutoPager::<Params, Obj>::new(Params::default()).up_to(2);
    assert!(matches!(pages.poll(), PageStep::Fetch(_)));
    pages.handle_page(page(&["a", "b"], true));
    assert_eq!(pages.poll(), PageStep::Item(Obj("a".to_owned())));
    assert_eq!(pages.poll(), PageStep::Item(Obj("b".to_owned())));
    assert_eq!(pages.poll(), PageStep::Done);
}

#[test]
fn a_cap_of_zero_fetches_nothing() {
    let mut pages = AutoPager::<Params, Obj>::new(Params::default()).up_to(0);
    assert_eq!(pages.poll(), PageStep::Done);
}

#[test]
fn a_failed_fetch_ends_the_listing() {
    let mut pages = AutoPager::<Params, Obj>::new(Params::default());
    assert!(matches!(pages.poll(), PageStep::Fetch(_)));
    pages.fail();
    assert_eq!(pages.poll(), PageStep::Done);
}

#[test]
fn endpoint_params_move_only_their_cursor() {
    use crate::params::ListPaymentIntents;
    use crate::resources::PaymentIntentStatus;
    let mut params = ListPaymentIntents::new();
    params.page = ListParams::new().limit(100).ending_before("pi_x");
    params.status = Some(PaymentIntentStatus::Succeeded);
    let next = params.with_cursor("pi_7", true);
    assert_eq!(next.page.starting_after.as_deref(), Some("pi_7"));
    assert_eq!(next.page.ending_before, None);
    assert_eq!(next.page.limit, Some(100));
    assert_eq!(next.status, Some(PaymentIntentStatus::Succeeded));
}
