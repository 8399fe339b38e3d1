using Registrator.Benchmarks;

// One verb per benchmark; "all" runs every one. Add a verb here and a class beside this file.
var verb = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
switch (verb)
{
    case "media":
        return MediaEncodeBenchmark.Run(rest);
    case "remote-frames":
        return await RemoteFramesBenchmark.Run(rest);
    case "events":
        return await RegistrationBenchmark.Run(rest);
    case "nats":
        return await NatsResultsBenchmark.Run(rest);
    case "all":
        var failed = MediaEncodeBenchmark.Run(rest);
        failed |= await RemoteFramesBenchmark.Run(rest);
        failed |= await RegistrationBenchmark.Run(rest);
        failed |= await NatsResultsBenchmark.Run(rest);
        return failed;
    default:
        Console.Error.WriteLine("usage: Registrator.Benchmarks <verb> [options]");
        Console.Error.WriteLine("  media [--runs N]   in-process Mp4Writer vs the ffmpeg CLI, 640x480, 30 and 300 frames");
        Console.Error.WriteLine("  remote-frames [--frames N] [--window W]   640x480 AddFrame client system → node over remoting");
        Console.Error.WriteLine("  events [--tasks N] [--frames F]   RegisterTask → encode → Redis, events/s and CPU per event");
        Console.Error.WriteLine("  nats [--messages N] [--keys K]   inference results end to end vs a bare subscriber");
        Console.Error.WriteLine("  all   [--runs N]   every benchmark above");
        return 2;
}
