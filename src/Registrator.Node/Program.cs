using System.CommandLine;
using Registrator.Node;

var configFile = new Option<FileInfo?>("--config") { Description = "Extra HOCON file layered over hocon/registrator.conf and the environment." };

var run = new Command("run", "Run a Registrator node until SIGTERM/Ctrl+C (configuration: hocon/, environment, --config).");
run.Options.Add(configFile);
run.SetAction((parse, cancellation) => NodeHost.RunAsync(parse.GetValue(configFile), cancellation));

var list = new Command("list", "Show the events the node's store gave up on (Redis refused them for good), with the reason.");
list.Options.Add(configFile);
list.SetAction((parse, cancellation) => DeadLetterCommands.ListAsync(parse.GetValue(configFile), Console.Out, cancellation));

var eventIds = new Option<Guid[]>("--event-id") { Description = "Replay only this event (repeatable); default: all.", AllowMultipleArgumentsPerToken = true };
var replay = new Command("replay", "Write the dead letters to Redis again (after fixing the cause) and remove those Redis took; works while the node runs.");
replay.Options.Add(configFile);
replay.Options.Add(eventIds);
replay.SetAction((parse, cancellation) =>
    DeadLetterCommands.ReplayAsync(parse.GetValue(configFile), parse.GetValue(eventIds) ?? [], Console.Out, cancellation));

var deadLetters = new Command("dead-letters", "The dead letters beside the outbox (registrator.events.outbox-path): list, replay.");
deadLetters.Subcommands.Add(list);
deadLetters.Subcommands.Add(replay);

var root = new RootCommand("Registrator.Actors: a distributed event registrator for video analytics.");
root.Subcommands.Add(run);
root.Subcommands.Add(deadLetters);
return await root.Parse(args).InvokeAsync();
