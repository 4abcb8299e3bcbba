using System.Globalization;
using EpdCluster.LoadTests.Arrivals;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>
/// A distribution of whole numbers written as text, the same on the command line and in scenario files:
/// <c>128</c> (fixed), <c>uniform:64-256</c> (inclusive), <c>normal:256,64</c> (mean, standard deviation; rounded, clamped at the minimum),
/// <c>choice:0=0.2,1=0.5,2=0.3</c> (values with weights).
/// </summary>
internal sealed class IntDistribution
{
    private readonly Func<Random, int> _sample;

    private IntDistribution(string spec, Func<Random, int> sample, int minimum)
    {
        Spec = spec;
        _sample = sample;
        Minimum = minimum;
    }

    /// <summary>The text this distribution was parsed from.</summary>
    public string Spec { get; }

    /// <summary>Samples never go below this (0 for image counts, 1 for token counts).</summary>
    public int Minimum { get; }

    public static IntDistribution Fixed(int value) => Parse(value.ToString(CultureInfo.InvariantCulture), "value", 0);

    public int Sample(Random random) => Math.Max(Minimum, _sample(random));

    public override string ToString() => Spec;

    /// <summary>Parses <paramref name="spec"/>; <paramref name="option"/> names the setting in errors.</summary>
    public static IntDistribution Parse(string spec, string option, int minimum)
    {
        spec = spec.Trim();
        var colon = spec.IndexOf(':');
        var kind = colon < 0 ? "fixed" : spec[..colon].Trim().ToLowerInvariant();
        var args = colon < 0 ? spec : spec[(colon + 1)..];
        try
        {
            return kind switch
            {
                "fixed" => ParseFixed(spec, args, option, minimum),
                "uniform" => ParseUniform(spec, args, option, minimum),
                "normal" => ParseNormal(spec, args, option, minimum),
                "choice" => ParseChoice(spec, args, option, minimum),
                _ => throw Bad(option, spec, $"unknown kind '{kind}'"),
            };
        }
        catch (FormatException)
        {
            throw Bad(option, spec, "a number does not parse");
        }
    }

    private static IntDistribution ParseFixed(string spec, string args, string option, int minimum)
    {
        var value = ParseInt(args);
        return value >= minimum ? new IntDistribution(spec, _ => value, minimum) : throw Bad(option, spec, $"values must be at least {minimum}");
    }

    private static IntDistribution ParseUniform(string spec, string args, string option, int minimum)
    {
        var bounds = args.Split('-', StringSplitOptions.TrimEntries);
        if (bounds.Length != 2)
        {
            throw Bad(option, spec, "uniform takes MIN-MAX");
        }

        var (low, high) = (ParseInt(bounds[0]), ParseInt(bounds[1]));
        if (low < minimum || high < low)
        {
            throw Bad(option, spec, $"uniform needs {minimum} <= MIN <= MAX");
        }

        return new IntDistribution(spec, random => random.Next(low, high + 1), minimum);
    }

    private static IntDistribution ParseNormal(string spec, string args, string option, int minimum)
    {
        var parts = args.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            throw Bad(option, spec, "normal takes MEAN,STDDEV");
        }

        var mean = double.Parse(parts[0], CultureInfo.InvariantCulture);
        var stddev = double.Parse(parts[1], CultureInfo.InvariantCulture);
        if (mean < minimum || stddev < 0 || !double.IsFinite(mean) || !double.IsFinite(stddev))
        {
            throw Bad(option, spec, $"normal needs MEAN >= {minimum} and STDDEV >= 0");
        }

        return new IntDistribution(spec, random => (int)Math.Round(mean + (stddev * random.NextStandardNormal())), minimum);
    }

    private static IntDistribution ParseChoice(string spec, string args, string option, int minimum)
    {
        var choice = WeightedChoice<int>.Parse(args, option, text =>
        {
            var value = ParseInt(text);
            return value >= minimum ? value : throw Bad(option, spec, $"values must be at least {minimum}");
        });
        return new IntDistribution(spec, choice.Sample, minimum);
    }

    private static int ParseInt(string text) => int.Parse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static LoadOptionsException Bad(string option, string spec, string why) =>
        new($"{option}: '{spec}' is not a distribution ({why}); use N, uniform:MIN-MAX, normal:MEAN,STDDEV or choice:V=W,V=W.");
}
