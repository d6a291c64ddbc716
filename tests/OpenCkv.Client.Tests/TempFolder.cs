namespace OpenCkv.Client.Tests;

/// <summary>A fresh empty folder, deleted with everything in it at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ckv-client-test-");

    public string Path => _folder.FullName;

    public string File(string name) => System.IO.Path.Combine(_folder.FullName, name);

    public void Dispose() => _folder.Delete(recursive: true);
}
