//! Every shared case, for every backend compiled in (the facade's registry).

use conformance::shared_suite;

ssl::for_each_backend!(shared_suite);
