// Make sure every campaign named by a share, referral or order exists as a node.
// Parameters:
//   $ids: list of campaign id strings
UNWIND $ids AS id
MERGE (:Campaign {id: id})
