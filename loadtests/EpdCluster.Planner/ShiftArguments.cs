using System.Globalization;

namespace EpdCluster.Planner;

/// <summary>The command line of <c>epd-plan shift</c>; <see cref="Parse"/> throws <see cref="ArgumentException"/> naming the bad option.</summary>
internal sealed record ShiftArguments(string Profile, string Before, string After, int Workers, double? Rate, double PhaseSeconds, double? TtftMs, double? TpotMs, int Seed, string? Output)
{
    public const string Usage = """
        usage: epd-plan shift --profile FILE --before WORKLOAD --after WORKLOAD [--workers N] [--rate R]
                              [--phase-seconds S] [--ttft-ms MS] [--tpot-ms MS] [--seed N] [--output FILE.md]

          Runs a workload that shifts from BEFORE to AFTER halfway, at one rate, three ways: (a) the best static split
          for BEFORE, (b) the same split with the scheduler's role switching, (c) every worker aggregated; reports SLO
          attainment and goodput per phase.
          --rate R          requests per second in both phases (default: 80% of (a)'s goodput on BEFORE)
          --phase-seconds S simulated seconds per phase (default 300)
          SLOs default to the AFTER file's slo.
        """;

    public static ShiftArguments Parse(string[] args)
    {
        string? profile = null, before = null, after = null, output = null;
        int workers = 8, seed = 1;
        double? rate = null, ttft = null, tpot = null;
        var phase = 300.0;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--profile": profile = Value(); break;
                case "--before": before = Value(); break;
                case "--after": after = Value(); break;
                case "--workers": workers = (int)Number(Value(), "--workers", 3); break;
                case "--rate": rate = Number(Value(), "--rate", double.Epsilon); break;
                case "--phase-seconds": phase = Number(Value(), "--phase-seconds", 1); break;
                case "--ttft-ms": ttft = Number(Value(), "--ttft-ms", double.Epsilon); break;
                case "--tpot-ms": tpot = Number(Value(), "--tpot-ms", double.Epsilon); break;
                case "--seed": seed = (int)Number(Value(), "--seed", 0); break;
                case "--output": output = Value(); break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        return new ShiftArguments(
            profile ?? throw new ArgumentException("--profile is required."),
            before ?? throw new ArgumentException("--before is required."),
            after ?? throw new ArgumentException("--after is required."),
            workers, rate, phase, ttft, tpot, seed, output);
    }

    private static double Number(string text, string option, double minimum) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"{option} takes a number of at least {minimum} (got '{text}').");
}
