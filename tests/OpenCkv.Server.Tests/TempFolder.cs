namespace OpenCkv.Server.Tests;

/// <summary>A fresh empty folder, deleted with everything in it at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    private readonly DirectoryInfo _folder = System.IO.Directory.CreateTempSubdirectory("ckv-test-");

    public string Path => _folder.FullName;

    public void Dispose() => _folder.Delete(recursive: true);
}
