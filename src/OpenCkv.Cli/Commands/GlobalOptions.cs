namespace OpenCkv.Cli.Commands;

/// <summary>Options every device command takes wherever they stand: <c>--profile NAME</c> and <c>--json</c>.</summary>
internal static class GlobalOptions
{
    /// <summary>The arguments with leading global options moved after the command words.</summary>
    public static string[] Reorder(string[] args)
    {
        var leading = new List<string>();
        int i = 0;
        while (i < args.Length && (args[i] == "--json" || (args[i] == "--profile" && i + 1 < args.Length)))
        {
            leading.Add(args[i]);
            if (args[i] == "--profile")
            {
                leading.Add(args[i + 1]);
                i++;
            }

            i++;
        }

        return [.. args[i..], .. leading];
    }
}
