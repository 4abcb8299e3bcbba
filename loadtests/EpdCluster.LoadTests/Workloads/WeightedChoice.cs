using System.Globalization;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>Values drawn with relative weights, written <c>a=3,b=1</c> (a value without <c>=W</c> weighs 1).</summary>
internal sealed class WeightedChoice<T>
    where T : notnull
{
    private readonly double[] _cumulative;

    private WeightedChoice(string spec, IReadOnlyList<T> values, double[] cumulative)
    {
        Spec = spec;
        Values = values;
        _cumulative = cumulative;
    }

    public string Spec { get; }

    public IReadOnlyList<T> Values { get; }

    public T Sample(Random random)
    {
        var x = random.NextDouble() * _cumulative[^1];
        var index = Array.BinarySearch(_cumulative, x);
        // BinarySearch returns the complement of the first larger element when x is not an exact boundary.
        index = index < 0 ? ~index : index + 1;
        return Values[Math.Min(index, Values.Count - 1)];
    }

    public override string ToString() => Spec;

    public static WeightedChoice<T> Parse(string spec, string option, Func<string, T> parseValue)
    {
        var values = new List<T>();
        var cumulative = new List<double>();
        var total = 0.0;
        foreach (var item in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = item.LastIndexOf('=');
            var weight = 1.0;
            if (equals >= 0 && (!double.TryParse(item[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !(weight > 0) || double.IsInfinity(weight)))
            {
                throw new LoadOptionsException($"{option}: '{item}' needs a positive weight after '='.");
            }

            values.Add(parseValue(equals >= 0 ? item[..equals].Trim() : item));
            total += weight;
            cumulative.Add(total);
        }

        return values.Count > 0
            ? new WeightedChoice<T>(spec.Trim(), values, [.. cumulative])
            : throw new LoadOptionsException($"{option}: needs at least one value, e.g. 'a=3,b=1'.");
    }
}
