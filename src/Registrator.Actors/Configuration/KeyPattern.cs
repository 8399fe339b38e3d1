namespace Registrator.Actors.Configuration;

/// <summary>
/// A glob on task keys, as <c>registrator.trigger.overrides[].keys</c> writes it: <c>*</c> any run of characters
/// (<c>/</c> included: task keys are names, not paths), <c>?</c> exactly one, everything else itself (ordinal, case
/// sensitive, as keys are).
/// </summary>
public sealed record KeyPattern(string Glob)
{
    public bool Matches(string key) => Match(Glob.AsSpan(), key.AsSpan());

    public override string ToString() => Glob;

    // Iterative wildcard matching with one backtrack point: linear in practice, never exponential.
    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
