using Registrator.Demo;

// Ctrl+C ends the demo through its cancellation, so it still stops the nodes and servers it started.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return await Demo.RunAsync(Console.Out, cancellation.Token);
