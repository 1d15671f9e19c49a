//! OData query options (`$top`, `$skip`, `$count`, `$select`, `$orderby`, `$filter`) as the
//! Graph-compatible collections accept them.
