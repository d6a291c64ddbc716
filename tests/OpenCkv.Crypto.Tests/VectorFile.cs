namespace OpenCkv.Crypto.Tests;

/// <summary>Reads the "## name" / "key = hex" blocks of the known-answer files in Vectors/.</summary>
public static class VectorFile
{
    public static IReadOnlyList<(string Name, Dictionary<string, string> Values)> ReadBlocks(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
        var blocks = new List<(string, Dictionary<string, string>)>();
        Dictionary<string, string>? current = null;
        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.Trim();
            if (line.StartsWith("##", StringComparison.Ordinal))
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                blocks.Add((line.TrimStart('#').Trim(), current));
            }
            else if (current is not null && line.Contains('=', StringComparison.Ordinal) && !line.StartsWith('#'))
            {
                int eq = line.IndexOf('=', StringComparison.Ordinal);
                current[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return blocks;
    }

    public static byte[] Hex(this Dictionary<string, string> values, string key) => Convert.FromHexString(values[key]);
}
