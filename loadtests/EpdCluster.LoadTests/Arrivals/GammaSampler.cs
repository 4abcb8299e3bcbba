namespace EpdCluster.LoadTests.Arrivals;

/// <summary>
/// Gamma(shape, scale) draws by Marsaglia and Tsang (2000), "A simple method for generating gamma variables";
/// shapes below 1 use their boost: Gamma(k) = Gamma(k + 1) · U^(1/k).
/// </summary>
internal sealed class GammaSampler
{
    private readonly Random _random;
    private readonly double _shape;
    private readonly double _d;
    private readonly double _c;

    public GammaSampler(double shape, Random random)
    {
        if (!(shape > 0) || double.IsInfinity(shape))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "the gamma shape must be positive and finite");
        }

        _random = random;
        _shape = shape;
        var k = shape < 1 ? shape + 1 : shape;
        _d = k - (1.0 / 3.0);
        _c = 1.0 / Math.Sqrt(9.0 * _d);
    }

    public double Next(double scale)
    {
        var x = NextUnitScale();
        if (_shape < 1)
        {
            x *= Math.Pow(1.0 - _random.NextDouble(), 1.0 / _shape);
        }

        return x * scale;
    }

    private double NextUnitScale()
    {
        while (true)
        {
            double z, v;
            do
            {
                z = _random.NextStandardNormal();
                v = 1.0 + (_c * z);
            }
            while (v <= 0);

            v = v * v * v;
            var u = 1.0 - _random.NextDouble();
            if (u < 1.0 - (0.0331 * z * z * z * z) || Math.Log(u) < (0.5 * z * z) + (_d * (1.0 - v + Math.Log(v))))
            {
                return _d * v;
            }
        }
    }
}
