using System.Globalization;

namespace EpdCluster.Simulation.Workloads;

/// <summary>
/// A distribution of whole numbers, written as the load generator writes them: <c>128</c>, <c>uniform:64-256</c>,
/// <c>normal:256,64</c> (rounded, at least <see cref="Minimum"/>), <c>choice:0=0.2,1=0.5,2=0.3</c>.
/// </summary>
public sealed class IntDistribution
{
    private readonly Func<Random, int> _sample;

    private IntDistribution(string text, Func<Random, int> sample, double mean)
    {
        Text = text;
        _sample = sample;
        Mean = mean;
    }

    public string Text { get; }

    public double Mean { get; }

    public int Sample(Random random) => _sample(random);

    public static IntDistribution Fixed(int value) => new(value.ToString(CultureInfo.InvariantCulture), _ => value, value);

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming <paramref name="field"/>.</summary>
    public static IntDistribution Parse(string text, string field, int minimum = 1)
    {
        try
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var kind = colon < 0 ? "fixed" : text[..colon].Trim().ToLowerInvariant();
            var body = colon < 0 ? text.Trim() : text[(colon + 1)..].Trim();
            switch (kind)
            {
                case "fixed":
                    var value = Int(body);
                    return value >= minimum ? new(text, _ => value, value) : throw new FormatException($"{value} is below {minimum}");
                case "uniform":
                    var bounds = body.Split('-', 2);
                    var (low, high) = (Int(bounds[0]), Int(bounds[1]));
                    return low >= minimum && high >= low ? new(text, r => r.Next(low, high + 1), (low + high) / 2.0) : throw new FormatException($"uniform bounds must satisfy {minimum} <= low <= high");
                case "normal":
                    var parts = body.Split(',', 2);
                    var (mean, deviation) = (Double(parts[0]), Double(parts[1]));
                    return deviation >= 0 ? new(text, r => Math.Max(minimum, (int)Math.Round(mean + (deviation * Gaussian(r)))), Math.Max(minimum, mean)) : throw new FormatException("the deviation must be 0 or more");
                case "choice":
                    var choices = body.Split(',').Select(c => c.Split('=', 2)).Select(c => (Value: Int(c[0]), Weight: Double(c[1]))).ToArray();
                    var total = choices.Sum(c => c.Weight);
                    if (choices.Any(c => c.Value < minimum || c.Weight < 0) || total <= 0)
                    {
                        throw new FormatException($"choices need values >= {minimum} and positive total weight");
                    }

                    return new(text, r => Choose(r, choices, total), choices.Sum(c => c.Value * c.Weight) / total);
                default:
                    throw new FormatException($"unknown kind '{kind}'");
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            throw new FormatException($"{field} '{text}' is not a distribution (128, uniform:64-256, normal:256,64, choice:1=0.5,2=0.5): {e.Message}", e);
        }
    }

    private static int Choose(Random random, (int Value, double Weight)[] choices, double total)
    {
        var pick = random.NextDouble() * total;
        foreach (var (value, weight) in choices)
        {
            pick -= weight;
            if (pick < 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Int(string text) => int.Parse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string text) => double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
