using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>The launcher refuses bad input with a clear message and starts nothing.</summary>
public sealed class LauncherArgumentTests
{
    [Theory]
    [InlineData(new[] { "up", "--encoders", "0" }, "worker counts must be whole numbers from 1 to 16")]
    [InlineData(new[] { "up", "--decoders", "many" }, "worker counts must be whole numbers from 1 to 16")]
    [InlineData(new[] { "up", "--gpus", "2" }, "unknown option for up: --gpus")]
    [InlineData(new[] { "up", "--timeout", "soon" }, "--timeout takes whole seconds")]
    [InlineData(new[] { "launch" }, "unknown command 'launch'")]
    [InlineData(new[] { "up", "--simulated", "--profile", "/nonexistent/profile.json" }, "--profile: no such file: /nonexistent/profile.json")]
    public async Task Bad_arguments_fail_with_a_message_and_start_nothing(string[] args, string expectedMessage)
    {
        using var launcher = new EpdLauncher();

        var result = await launcher.RunAsync(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expectedMessage, result.StandardError);
        Assert.Empty(launcher.ReadPids());
    }

    [Fact]
    public async Task Down_with_nothing_running_succeeds()
    {
        using var launcher = new EpdLauncher();

        var result = await launcher.RunAsync("down");

        Assert.Equal(0, result.ExitCode);
    }
}
