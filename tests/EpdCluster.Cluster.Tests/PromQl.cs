namespace EpdCluster.Cluster.Tests;

/// <summary>Just enough PromQL structure to split an alert expression into its signal and its threshold.</summary>
internal static class PromQl
{
    private static readonly string[] Comparisons = [" >= ", " <= ", " == ", " != ", " > ", " < "];

    /// <summary>
    /// The left-hand side of the last comparison outside parentheses and quotes (<c>up{job="epd"} == 0</c> gives
    /// <c>up{job="epd"}</c>), or the whole expression when it compares nothing.
    /// </summary>
    public static string Signal(string expr)
    {
        var depth = 0;
        var quoted = false;
        var cut = -1;
        for (var i = 0; i < expr.Length; i++)
        {
            var c = expr[i];
            if (c == '"' && (i == 0 || expr[i - 1] != '\\'))
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '(' or '{' or '[')
            {
                depth++;
            }
            else if (!quoted && c is ')' or '}' or ']')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && Comparisons.Any(op => string.CompareOrdinal(expr, i, op, 0, op.Length) == 0))
            {
                cut = i;
            }
        }

        return cut < 0 ? expr : expr[..cut].Trim();
    }
}
