// Test helpers of @kombo-sync/queue (`@kombo-sync/queue/testing`), never exported from the production entry point.
