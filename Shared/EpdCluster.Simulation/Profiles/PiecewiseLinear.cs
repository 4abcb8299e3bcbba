namespace EpdCluster.Simulation.Profiles;

/// <summary>
/// y(x) through measured points, linear between them and along the last segment beyond the last point (a step's cost
/// keeps growing with its size). Below the first point, y scales down proportionally to x (never below 0).
/// </summary>
public sealed class PiecewiseLinear
{
    private readonly double[] _x;
    private readonly double[] _y;

    public PiecewiseLinear(IEnumerable<(double X, double Y)> points)
    {
        var sorted = points.OrderBy(p => p.X).ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("A piecewise-linear curve needs at least one point.");
        }

        if (sorted.Any(p => p.X <= 0 || p.Y < 0 || !double.IsFinite(p.X) || !double.IsFinite(p.Y)))
        {
            throw new ArgumentException("Curve points need x > 0 and y >= 0.");
        }

        if (sorted.Zip(sorted.Skip(1)).Any(p => p.First.X == p.Second.X))
        {
            throw new ArgumentException("Curve points need distinct x values.");
        }

        _x = [.. sorted.Select(p => p.X)];
        _y = [.. sorted.Select(p => p.Y)];
    }

    /// <summary>The points, as <c>[x, y]</c> pairs (the profile file's form).</summary>
    public double[][] Points => [.. _x.Select((x, i) => new[] { x, _y[i] })];

    public static PiecewiseLinear Linear(double slope) => new([(1, slope)]);

    public static PiecewiseLinear FromPairs(double[][] pairs) =>
        new(pairs.Select(p => p.Length == 2 ? (p[0], p[1]) : throw new ArgumentException("Each curve point is an [x, y] pair.")));

    public double At(double x)
    {
        if (x <= _x[0])
        {
            return Math.Max(0, _y[0] * x / _x[0]);
        }

        var i = 1;
        while (i < _x.Length - 1 && x > _x[i])
        {
            i++;
        }

        if (_x.Length == 1)
        {
            return _y[0] * x / _x[0];
        }

        var slope = (_y[i] - _y[i - 1]) / (_x[i] - _x[i - 1]);
        return Math.Max(0, _y[i - 1] + (slope * (x - _x[i - 1])));
    }
}
