using EpdCluster.Engine.Serving;
using EpdCluster.Runtime.Hosting;
using EpdCluster.Testing;
using Microsoft.Extensions.Configuration;

namespace EpdCluster.Runtime.Tests;

/// <summary>How a worker reads <c>Epd:Engine:Mode</c> and <c>Epd:Simulation</c>: what it accepts and how it refuses.</summary>
public sealed class SimulationOptionsTests
{
    private static readonly string MeasuredProfile = Path.Combine(RepositoryLayout.Root, "loadtests", "profiles", "epd-tiny-cpu.json");

    [Fact]
    public void The_torch_engine_needs_no_simulation_settings()
    {
        var (configuration, engine) = Read(("Epd:Simulation:Profile", "/does/not/matter.json"));

        Assert.Equal(EngineMode.Torch, engine.Mode);
        Assert.Null(configuration.ReadSimulationOptions(engine, configuration.ReadTransferOptions()));
    }

    [Fact]
    public void Simulated_mode_reads_the_profile_and_the_time_scale()
    {
        var (configuration, engine) = Read(("Epd:Engine:Mode", "simulated"), ("Epd:Simulation:Profile", MeasuredProfile), ("Epd:Simulation:TimeScale", "0.5"));

        var simulation = configuration.ReadSimulationOptions(engine, configuration.ReadTransferOptions());

        Assert.Equal(EngineMode.Simulated, engine.Mode);
        Assert.NotNull(simulation);
        Assert.Equal(0.5, simulation.TimeScale);
        Assert.Equal("epd-tiny-cpu", simulation.LoadProfile().Name);
    }

    [Theory]
    [InlineData(null, "none", "Epd:Simulation:Profile must name")]
    [InlineData("PROFILE", "kivi", "Epd:Transfer:KvCodec must be none")]
    public void Simulated_mode_refuses_a_missing_profile_and_compressed_kv(string? profile, string codec, string message)
    {
        var (configuration, engine) = Read(("Epd:Engine:Mode", "Simulated"), ("Epd:Simulation:Profile", profile == "PROFILE" ? MeasuredProfile : null), ("Epd:Transfer:KvCodec", codec));

        var error = Assert.Throws<InvalidOperationException>(() => configuration.ReadSimulationOptions(engine, configuration.ReadTransferOptions()));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void An_unknown_engine_mode_is_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Epd:Engine:Mode", "gpu-ish")]).Build();

        Assert.ThrowsAny<InvalidOperationException>(() => configuration.GetSection(EngineOptions.SectionName).Get<EngineOptions>());
    }

    private static (IConfiguration Configuration, EngineOptions Engine) Read(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var engine = configuration.GetSection(EngineOptions.SectionName).Get<EngineOptions>() ?? new EngineOptions();
        engine.Validate();
        return (configuration, engine);
    }
}
