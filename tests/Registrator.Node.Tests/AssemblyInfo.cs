// Each spec runs whole nodes (cluster, encoders, Kestrel) and some a browser; on a 2-core machine they run one at a time
// so that timings (a clip playing, a stream arriving) do not depend on what else happens to run.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
