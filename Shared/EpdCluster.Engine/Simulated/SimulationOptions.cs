using System.Text.Json;
using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Engine.Simulated;

/// <summary>The simulated engine's profile and pace (section <c>Epd:Simulation</c>, read when <c>Epd:Engine:Mode=simulated</c>).</summary>
public sealed class SimulationOptions
{
    public const string SectionName = "Epd:Simulation";

    /// <summary>A timing profile (<c>loadtests/profiles/*.json</c>, written by <c>./epd profile</c> or by hand).</summary>
    public string? Profile { get; set; }

    /// <summary>
    /// Multiplies every step and transfer time of the profile: 1 replays it at real time, 0.5 twice as fast, 0 does
    /// not wait at all. Above 1 a fast machine's profile plays like a slower one.
    /// </summary>
    public double TimeScale { get; set; } = 1;

    /// <summary>Most a time can be stretched (beyond it one step lasts longer than a KV lease).</summary>
    public const double MaxTimeScale = 100;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Profile))
        {
            throw new InvalidOperationException($"{SectionName}:Profile must name a timing profile (JSON) when Epd:Engine:Mode is simulated, e.g. loadtests/profiles/epd-tiny-cpu.json.");
        }

        if (!File.Exists(Profile))
        {
            throw new InvalidOperationException($"{SectionName}:Profile '{Profile}' does not exist.");
        }

        if (!double.IsFinite(TimeScale) || TimeScale < 0 || TimeScale > MaxTimeScale)
        {
            throw new InvalidOperationException($"{SectionName}:TimeScale must be between 0 and {MaxTimeScale}, got {TimeScale}.");
        }
    }

    /// <summary>Reads and checks the profile; throws <see cref="InvalidOperationException"/> naming the setting and the bad field.</summary>
    public EngineProfile LoadProfile()
    {
        Validate();
        try
        {
            return EngineProfile.Load(Profile!);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            throw new InvalidOperationException($"{SectionName}:Profile '{Profile}' is not a valid timing profile: {e.Message}", e);
        }
    }
}
