export declare const WORKER_NODE_FLAGS: readonly string[];
export declare const INGRESS_NODE_FLAGS: readonly string[];
