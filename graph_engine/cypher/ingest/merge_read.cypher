// Identity merge, step 1 (one transaction with steps 2-4), for a wave of merges that
// cannot see each other (no shared customer, no relationship between them): everything
// attached to each customer being merged away that must move to its survivor: FOLLOWS,
// SHARED_TO and REFERRED in both directions (with their properties), and both profiles.
// Parameters:
//   $merges: list of {merged: pk of the customer merged away, survivor: pk of the one
//            that stays}
UNWIND $merges AS mg
MATCH (m:Customer {pk: mg.merged})
MATCH (s:Customer {pk: mg.survivor})
RETURN
  m.pk AS merged,
  [(m)-[f:FOLLOWS]->(o:Customer) | f {.active, .at, .channel, follower: m.pk, followee: o.pk}]
  + [(o:Customer)-[f:FOLLOWS]->(m) | f {.active, .at, .channel, follower: o.pk, followee: m.pk}]
    AS follows,
  [(m)-[x:SHARED_TO]->(o:Customer) | x {.event_id, .content_id, .action, .at, .channel,
                                        .campaign_id, sharer: m.pk, viewer: o.pk}]
  + [(o:Customer)-[x:SHARED_TO]->(m) | x {.event_id, .content_id, .action, .at, .channel,
                                           .campaign_id, sharer: o.pk, viewer: m.pk}]
    AS shares,
  [(m)-[r:REFERRED]->(o:Customer) | r {.event_id, .campaign_id, .converted, .order_id,
                                       .reward, .at, referrer: m.pk, referee: o.pk}]
  + [(o:Customer)-[r:REFERRED]->(m) | r {.event_id, .campaign_id, .converted, .order_id,
                                          .reward, .at, referrer: o.pk, referee: m.pk}]
    AS referrals,
  s {.name, .is_employee, .employee_of, .external_followers, .tags, .region, .profile_at,
     .first_seen, .last_active} AS survivor,
  m {.name, .is_employee, .employee_of, .external_followers, .tags, .region, .profile_at,
     .first_seen, .last_active} AS merged_profile
