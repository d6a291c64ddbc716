namespace OpenCkv.Cli;

internal static class Usage
{
    public static int Print(TextWriter output, int exitCode)
    {
        output.WriteLine("usage: ckv <command>");
        output.WriteLine();
        output.WriteLine("  selfcheck [--json]   check the KT_128_SHA256_P256 suite on every crypto path of this machine");
        output.WriteLine("                       against the RFC 9381 known answers, and time it");
        output.WriteLine("  --version            print the version and the pinned KEYTRANS draft revision");
        return exitCode;
    }

    public static int Version()
    {
        Console.WriteLine($"ckv {typeof(Usage).Assembly.GetName().Version} ({OpenCkv.KeyTransparency.KtDraft.ProtocolRevision})");
        return 0;
    }
}
