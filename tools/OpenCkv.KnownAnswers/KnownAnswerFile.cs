namespace OpenCkv.KnownAnswers;

/// <summary>Reads a known-answer file: "## title" blocks of "name = hex" lines.</summary>
public static class KnownAnswerFile
{
    /// <summary>Block title → (name → bytes).</summary>
    public static Dictionary<string, Dictionary<string, byte[]>> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var blocks = new Dictionary<string, Dictionary<string, byte[]>>();
        Dictionary<string, byte[]>? current = null;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = [];
                blocks[line[3..].Trim()] = current;
            }
            else if (current is not null && line.Contains(" = ", StringComparison.Ordinal))
            {
                int eq = line.IndexOf(" = ", StringComparison.Ordinal);
                current[line[..eq]] = Convert.FromHexString(line[(eq + 3)..]);
            }
        }

        return blocks;
    }
}
