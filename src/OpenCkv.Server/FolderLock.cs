namespace OpenCkv.Server;

/// <summary>
/// A log folder held by one process at a time: a running server, or a `ckv server` command that changes the folder
/// (a handover, an erasure). Two writers of one folder could otherwise both sign and both append. The lock is the
/// operating system's exclusive lock on <c>folder.lock</c> (on Unix an advisory <c>flock</c> that every OpenCKV process
/// honours), released when the holder closes or dies, so a crash never leaves the folder locked.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private const string FileName = "folder.lock";

    private readonly FileStream _file;

    private FolderLock(FileStream file) => _file = file;

    /// <summary>Takes the folder, or refuses at once when another process holds it.</summary>
    /// <exception cref="InvalidOperationException">Another process holds the folder.</exception>
    public static FolderLock Take(string folder)
    {
        string path = Path.Combine(folder, FileName);
        try
        {
            return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new InvalidOperationException($"Another process uses {folder} (a running server, or a `ckv server` command): stop it first.", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
