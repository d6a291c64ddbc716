using OpenCkv.Shared;

namespace OpenCkv.Server.Tests;

/// <summary>Flushing a folder's entries through the C library: it reaches the call, and failures are typed.</summary>
public sealed class DirectorySyncTests : IDisposable
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("openckv-sync-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_folder_with_a_renamed_file_is_flushed_and_a_missing_folder_is_an_io_error()
    {
        string temporary = Path.Combine(_folder, "statement.tmp");
        File.WriteAllBytes(temporary, [1, 2, 3]);
        File.Move(temporary, Path.Combine(_folder, "statement.bin"));
        DirectorySync.Flush(_folder);

        string missing = Path.Combine(_folder, "missing");
        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
