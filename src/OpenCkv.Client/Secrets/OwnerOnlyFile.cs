using OpenCkv.Shared;

namespace OpenCkv.Client.Secrets;

/// <summary>
/// Writes a file only its owner can read, whole or not at all: a fresh temporary file, flushed, then renamed, and the
/// folder flushed so the rename itself survives a crash (a device that lost its newest state could accept a view of
/// the log older than one it already saw).
/// </summary>
internal static class OwnerOnlyFile
{
    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts in the stream.</summary>
    /// <param name="path">The file.</param>
    /// <param name="write">Fills the new file.</param>
    /// <param name="overwrite">Whether an existing file is replaced; otherwise its presence is an <see cref="IOException"/>.</param>
    public static void Write(string path, Action<Stream> write, bool overwrite)
    {
        // A leftover ".new" (a crash, or someone else's file) is never reused: its mode could let others read what is
        // written into it. CreateNew makes a file this process owns, with the mode below.
        string temporary = path + ".new";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
