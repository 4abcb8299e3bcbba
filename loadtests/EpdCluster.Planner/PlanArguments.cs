using System.Globalization;

namespace EpdCluster.Planner;

/// <summary>The command line of <c>epd-plan</c>; <see cref="Parse"/> throws <see cref="ArgumentException"/> naming the bad option.</summary>
internal sealed record PlanArguments(string Profile, string Workload, int Workers, double? TtftMs, double? TpotMs, int Requests, int Seed, bool Aggregated, string? Output)
{
    /// <summary>The experiments use eight workers (EPDServe's eight GPUs).</summary>
    private const int DefaultWorkers = 8;

    public const string Usage = """
        usage: epd-plan --profile FILE --workload FILE [--workers N] [--ttft-ms MS] [--tpot-ms MS]
                        [--requests N] [--seed N] [--no-aggregated] [--output FILE.md]

          --profile FILE    engine timing profile (./epd profile writes one; loadtests/profiles/ has examples)
          --workload FILE   workload: a bare workload object or an epd-load scenario (its workload and slo)
          --workers N       workers to split (default 8; every split with at least one per role)
          --ttft-ms, --tpot-ms   SLOs (default: the workload file's slo)
          --requests N      requests per simulated run (default 400)
          --seed N          workload seed (default 1)
          --no-aggregated   leave out the aggregated layout (every worker doing all three stages)
          --output FILE.md  also write the ranked table as Markdown, and a bar chart of goodput per layout as FILE.png
        """;

    public static PlanArguments Parse(string[] args)
    {
        string? profile = null, workload = null, output = null;
        int workers = DefaultWorkers, requests = 400, seed = 1;
        double? ttft = null, tpot = null;
        var aggregated = true;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--profile": profile = Value(); break;
                case "--workload": workload = Value(); break;
                case "--workers": workers = Int(Value(), "--workers", 3); break;
                case "--ttft-ms": ttft = Positive(Value(), "--ttft-ms"); break;
                case "--tpot-ms": tpot = Positive(Value(), "--tpot-ms"); break;
                case "--requests": requests = Int(Value(), "--requests", 10); break;
                case "--seed": seed = Int(Value(), "--seed", 0); break;
                case "--no-aggregated": aggregated = false; break;
                case "--output": output = Value(); break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        return new PlanArguments(
            profile ?? throw new ArgumentException("--profile is required."),
            workload ?? throw new ArgumentException("--workload is required."),
            workers, ttft, tpot, requests, seed, aggregated, output);
    }

    private static int Int(string text, string option, int minimum) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"{option} takes a whole number of at least {minimum} (got '{text}').");

    private static double Positive(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} takes a positive number (got '{text}').");
}
