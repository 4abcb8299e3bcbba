namespace EpdCluster.Simulation.Planning;

/// <summary>
/// Goodput as the EPD paper and DistServe define it: the highest request rate at which at least the target share of
/// requests meets both SLOs. Doubles the rate until attainment falls below the target, then bisects.
/// </summary>
public static class GoodputSearch
{
    /// <summary>Bisection steps after the bracket is found: the rate is known to within 2^-10 of the bracket (0.1 %).</summary>
    private const int BisectionSteps = 10;

    /// <param name="attainmentAt">Attainment of a run at a rate.</param>
    /// <returns>The highest passing rate found, or 0 when even <paramref name="startRate"/> fails.</returns>
    public static double Find(Func<double, double> attainmentAt, double target, double startRate, double maxRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(startRate);
        if (attainmentAt(startRate) < target)
        {
            return 0;
        }

        var pass = startRate;
        var fail = double.NaN;
        while (double.IsNaN(fail))
        {
            var next = pass * 2;
            if (next > maxRate)
            {
                return pass;
            }

            if (attainmentAt(next) >= target)
            {
                pass = next;
            }
            else
            {
                fail = next;
            }
        }

        for (var i = 0; i < BisectionSteps; i++)
        {
            var middle = (pass + fail) / 2;
            if (attainmentAt(middle) >= target)
            {
                pass = middle;
            }
            else
            {
                fail = middle;
            }
        }

        return pass;
    }
}
