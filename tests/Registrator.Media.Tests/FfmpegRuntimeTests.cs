namespace Registrator.Media.Tests;

public sealed class FfmpegRuntimeTests
{
    [Fact]
    public void EnsureAvailable_passes_on_a_machine_with_FFmpeg_5_1_and_libx264()
    {
        var failure = Record.Exception(FfmpegRuntime.EnsureAvailable);

        Assert.Null(failure);
    }

    [Fact]
    public void Describe_names_the_loaded_library_versions()
    {
        var description = FfmpegRuntime.Describe();

        Assert.Contains("libavcodec 59.", description, StringComparison.Ordinal);
        Assert.Contains("libswscale 6.", description, StringComparison.Ordinal);
    }
}
