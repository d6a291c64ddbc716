using System.Runtime.InteropServices;

namespace OpenCkv.Shared;

/// <summary>
/// Makes a folder's entries durable: after a file is created or renamed into place, its data may be on disk while
/// the folder entry naming it is not, and a crash would lose the name (POSIX fsync; ext4 and xfs document that a
/// new or renamed file needs an fsync of its directory). .NET cannot open a directory, so this calls the C library.
/// On Windows the call is skipped: NTFS journals its metadata, and directories are not opened for flushing there.
/// Compiled into the server (a log handover's rename) and the device SDK (every state file it replaces).
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>Flushes <paramref name="folder"/>'s entries to disk.</summary>
    /// <exception cref="IOException">The folder could not be opened or flushed.</exception>
    public static void Flush(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int descriptor = Open(Path.GetFullPath(folder), ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open {folder} to flush it: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"Could not flush {folder}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>O_RDONLY, 0 on every Unix: enough to fsync a directory, and no flag value that differs by platform.</summary>
    private const int ReadOnly = 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
