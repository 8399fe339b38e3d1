using System.CommandLine;
using Registrator.Node;

var configFile = new Option<FileInfo?>("--config") { Description = "Extra HOCON file layered over hocon/registrator.conf and the environment." };

var run = new Command("run", "Run a Registrator node until SIGTERM/Ctrl+C (configuration: hocon/, environment, --config).");
run.Options.Add(configFile);
run.SetAction((parse, cancellation) => NodeHost.RunAsync(parse.GetValue(configFile), cancellation));

var demo = new Command("demo", "End-to-end demo: servers, a two-node cluster, a camera, detections over NATS, registered events.");
demo.SetAction((_, cancellation) => Demo.RunAsync(Console.Out, cancellation));

var root = new RootCommand("Registrator.Actors: a distributed event registrator for video analytics.");
root.Subcommands.Add(run);
root.Subcommands.Add(demo);
return await root.Parse(args).InvokeAsync();
