using Registrator.Benchmarks;

// One verb per benchmark; "all" runs every one. Add a verb here and a class beside this file.
var verb = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
switch (verb)
{
    case "buffer":
        return await BufferBenchmark.Run(rest);
    case "register":
        return await RegisterLatencyBenchmark.Run(rest);
    case "session":
        return SessionBenchmark.Run(rest);
    case "rss":
        return RssBenchmark.Run(rest);
    case "remote-frames":
        return await RemoteFramesBenchmark.Run(rest);
    case "events":
        return await RegistrationBenchmark.Run(rest);
    case "nats":
        return await NatsResultsBenchmark.Run(rest);
    case "seed":
        return await SeedBenchmark.Run(rest);
    case "handoff":
        return await HandoffBenchmark.Run(rest);
    case "cluster":
        return await ClusterBenchmark.Run(rest);
    case "jpeg":
        return JpegFramesBenchmark.Run(rest);
    case "queries":
        return await QueryBenchmark.Run(rest);
    case "all":
        var failed = await BufferBenchmark.Run(rest);
        failed |= await RegisterLatencyBenchmark.Run(rest);
        failed |= SessionBenchmark.Run(rest);
        failed |= RssBenchmark.Run(rest);
        failed |= await RemoteFramesBenchmark.Run(rest);
        failed |= await RegistrationBenchmark.Run(rest);
        failed |= await NatsResultsBenchmark.Run(rest);
        failed |= await SeedBenchmark.Run(rest);
        failed |= await HandoffBenchmark.Run(rest);
        failed |= await ClusterBenchmark.Run(rest);
        failed |= JpegFramesBenchmark.Run(rest);
        failed |= await QueryBenchmark.Run(rest);
        return failed;
    // Hidden: the child processes the session, rss and remote-frames benchmarks start (a pinned core, a fresh process, the far end).
    case SessionBenchmark.ChildVerb:
        return SessionBenchmark.RunChild(rest);
    case RssBenchmark.ChildVerb:
        return await RssBenchmark.RunChild(rest);
    case SeedNodeChild.Verb:
        return await SeedNodeChild.Run(rest);
    case SeedRawChild.Verb:
        return await SeedRawChild.Run(rest);
    case JpegFramesBenchmark.ChildVerb:
        return await JpegFramesBenchmark.RunChild(rest);
    case RemoteFramesBenchmark.ChildVerb:
        return await RemoteFramesBenchmark.RunChild(rest);
    default:
        Console.Error.WriteLine("usage: Registrator.Benchmarks <verb> [options]");
        Console.Error.WriteLine("  buffer [--frames N] [--noise-filter F]   bytes a task holds per buffered 640x480 frame (testsrc2, testsrc2 + noise) vs 921,600 raw");
        Console.Error.WriteLine("  register [--tasks K] [--redis]   RegisterTask → EventRegistered p50/max at 30 and 300 buffered frames vs ClipWriter alone");
        Console.Error.WriteLine("  session [--frames N] [--runs R] [--noise]   one H264Session on one core (taskset -c 0) vs ffmpeg -c:v libx264, CPU per camera-hour");
        Console.Error.WriteLine("  rss [--tasks T] [--frames N] [--fps F | --burst] [--shared]   node RSS growth, fresh process, T tasks × N frames at F fps or at once");
        Console.Error.WriteLine("  remote-frames [--frames N] [--window W]   640x480 AddFrame (BGR24 and JPEG) client system → node over remoting, copies per frame; TaskData round trip");
        Console.Error.WriteLine("  events [--tasks N] [--frames F]   RegisterTask → mux → Redis, events/s and CPU per event");
        Console.Error.WriteLine("  nats [--messages N] [--keys K]   inference results end to end vs a bare subscriber");
        Console.Error.WriteLine("  seed [--messages N] [--keys K] [--rounds R]   vs the Python module (../shared/seed/python): results cold/warm, bare subscriber, registrations");
        Console.Error.WriteLine("  handoff [--tasks T] [--seconds S]   graceful leave: T tasks × S s of frames (media.fps) move node 1 → node 2 through Redis, p50/max");
        Console.Error.WriteLine("  cluster [--keys K] [--frames F] [--nodes N] [--rounds R]   JPEG frames over NATS → clips → Redis on 1..N node processes (taskset), events/s and scaling");
        Console.Error.WriteLine("  jpeg [--frames N] [--keys K]   640x480 JPEG frames decoded and buffered per core (AddFrame JPEG → encoder → H.264 buffer, taskset -c 0)");
        Console.Error.WriteLine("  queries [--members M] [--keys K] [--requests R]   GET /api/events?key= and /api/events/{id} on M members (default 1M) read through the indexes, p50/p95/max");
        Console.Error.WriteLine("  all   every benchmark above (options are passed to each)");
        return 2;
}
