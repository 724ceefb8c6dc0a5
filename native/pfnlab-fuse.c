/*
 * pfnlab-fuse: a FUSE filesystem whose every operation is answered by the
 * pfnlab process that started it.
 *
 *   pfnlab-fuse MOUNTPOINT      (the request channel is file descriptor 3)
 *
 * The helper holds no state of its own. libfuse (high-level API, single
 * threaded) turns each kernel request into one call below; each call becomes
 * one framed request on fd 3 and blocks for the framed reply. The framing is
 * described once, in src/study/live-protocol.ts, and this file follows it:
 *
 *   request  u32 length of what follows | u32 op | u64 offset | u32 size |
 *            u32 flags | path, NUL-terminated | data (write only)
 *   reply    i32 status (>= 0, or a negative errno) | u32 length | payload
 *
 * Attributes and entries are never cached (all timeouts 0) and file I/O is
 * direct, because every read must show the model as it is now: sysfs files
 * change whenever the model does, and their size (4096) is not their length.
 *
 * Built on first use by the pfnlab process with Debian's libfuse3-dev:
 *   cc -O2 -o pfnlab-fuse pfnlab-fuse.c $(pkg-config --cflags --libs fuse3)
 */
#define FUSE_USE_VERSION 31
#include <fuse.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum op {
	OP_READY = 0,
	OP_GETATTR = 1,
	OP_READDIR = 2,
	OP_READLINK = 3,
	OP_OPEN = 4,
	OP_READ = 5,
	OP_WRITE = 6,
	OP_TRUNCATE = 7,
	OP_CREATE = 8,
};

#define CHANNEL_FD 3
#define HEADER_BYTES 24
/* Largest reply payload: a directory listing of a machine with many blocks. */
#define MAX_REPLY (64u << 20)

struct reply {
	int32_t status;
	uint32_t len;
	char *data;
};

/* Every entry shows the mount's start as its times, as sysfs shows boot time. */
static time_t started;
static char *reply_buf;
static size_t reply_cap;

/* Move all of buf over the channel, through short transfers and signals. */
static int transfer(int writing, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = writing ? write(CHANNEL_FD, p, len) : read(CHANNEL_FD, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_all(const void *buf, size_t len) { return transfer(1, (void *)buf, len); }
static int read_all(void *buf, size_t len) { return transfer(0, buf, len); }

static void put_u32(char *at, uint32_t v) { memcpy(at, &v, 4); }
static void put_u64(char *at, uint64_t v) { memcpy(at, &v, 8); }

/*
 * One round trip. A broken channel means the model is gone: the process
 * exits, and the kernel fails whatever is still waiting with ENOTCONN.
 */
static struct reply ask(uint32_t op, const char *path, uint64_t offset, uint32_t size,
			uint32_t flags, const char *data, size_t data_len)
{
	size_t path_len = strlen(path) + 1;
	size_t body = HEADER_BYTES - 4 + path_len + data_len;
	char header[HEADER_BYTES];
	struct reply r = { -EIO, 0, NULL };
	char head[8];

	put_u32(header, (uint32_t)body);
	put_u32(header + 4, op);
	put_u64(header + 8, offset);
	put_u32(header + 16, size);
	put_u32(header + 20, flags);
	if (write_all(header, HEADER_BYTES) || write_all(path, path_len) || (data_len > 0 && write_all(data, data_len)))
		exit(1);
	if (read_all(head, 8))
		exit(1);
	memcpy(&r.status, head, 4);
	memcpy(&r.len, head + 4, 4);
	if (r.len > MAX_REPLY)
		exit(1);
	if (r.len > reply_cap) {
		free(reply_buf);
		reply_cap = r.len;
		reply_buf = malloc(reply_cap);
		if (!reply_buf)
			exit(1);
	}
	if (r.len > 0 && read_all(reply_buf, r.len))
		exit(1);
	r.data = reply_buf;
	return r;
}

static void *pf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	/* Tell the model the mount is live; requests may arrive from now on. */
	ask(OP_READY, "/", 0, 0, 0, NULL, 0);
	return NULL;
}

static int pf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct reply r = ask(OP_GETATTR, path, 0, 0, 0, NULL, 0);
	uint32_t mode, nlink;
	uint64_t size;

	(void)fi;
	if (r.status < 0)
		return r.status;
	if (r.len < 16)
		return -EIO;
	memcpy(&mode, r.data, 4);
	memcpy(&nlink, r.data + 4, 4);
	memcpy(&size, r.data + 8, 8);
	memset(st, 0, sizeof(*st));
	st->st_mode = mode;
	st->st_nlink = nlink;
	st->st_size = (off_t)size;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_blksize = 4096;
	st->st_atime = st->st_mtime = st->st_ctime = started;
	return 0;
}

static int pf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct reply r = ask(OP_READDIR, path, 0, 0, 0, NULL, 0);
	uint32_t at = 0;

	(void)offset;
	(void)fi;
	(void)flags;
	if (r.status < 0)
		return r.status;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	/* The payload is the names, each NUL-terminated. */
	while (at < r.len) {
		const char *name = r.data + at;
		size_t n = strnlen(name, r.len - at);

		if (n == r.len - at)
			break;
		fill(buf, name, NULL, 0, 0);
		at += (uint32_t)n + 1;
	}
	return 0;
}

static int pf_readlink(const char *path, char *buf, size_t size)
{
	struct reply r = ask(OP_READLINK, path, 0, 0, 0, NULL, 0);
	size_t n;

	if (r.status < 0)
		return r.status;
	if (size == 0)
		return -EINVAL;
	n = r.len < size - 1 ? r.len : size - 1;
	memcpy(buf, r.data, n);
	buf[n] = '\0';
	return 0;
}

static int pf_open(const char *path, struct fuse_file_info *fi)
{
	struct reply r = ask(OP_OPEN, path, 0, 0, (uint32_t)fi->flags, NULL, 0);

	if (r.status < 0)
		return r.status;
	fi->direct_io = 1;
	fi->nonseekable = 0;
	return 0;
}

static int pf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct reply r = ask(OP_CREATE, path, 0, (uint32_t)mode, (uint32_t)fi->flags, NULL, 0);

	return r.status < 0 ? r.status : -EIO;
}

static int pf_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
	struct reply r = ask(OP_READ, path, (uint64_t)offset, (uint32_t)size, 0, NULL, 0);
	size_t n;

	(void)fi;
	if (r.status < 0)
		return r.status;
	n = r.len < size ? r.len : size;
	memcpy(buf, r.data, n);
	return (int)n;
}

static int pf_write(const char *path, const char *data, size_t size, off_t offset,
		    struct fuse_file_info *fi)
{
	struct reply r = ask(OP_WRITE, path, (uint64_t)offset, (uint32_t)size, (uint32_t)fi->flags, data, size);

	return r.status;
}

static int pf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct reply r = ask(OP_TRUNCATE, path, (uint64_t)size, 0, 0, NULL, 0);

	(void)fi;
	return r.status < 0 ? r.status : 0;
}

static const struct fuse_operations pf_ops = {
	.init = pf_init,
	.getattr = pf_getattr,
	.readdir = pf_readdir,
	.readlink = pf_readlink,
	.open = pf_open,
	.create = pf_create,
	.read = pf_read,
	.write = pf_write,
	.truncate = pf_truncate,
};

int main(int argc, char *argv[])
{
	char *args[8];
	int n = 0;
	int flags;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MOUNTPOINT (requests on fd %d)\n", argv[0], CHANNEL_FD);
		return 2;
	}
	flags = fcntl(CHANNEL_FD, F_GETFL);
	if (flags < 0) {
		fprintf(stderr, "%s: no request channel on fd %d\n", argv[0], CHANNEL_FD);
		return 2;
	}
	/* The channel is used with blocking reads and writes. */
	fcntl(CHANNEL_FD, F_SETFL, flags & ~O_NONBLOCK);

	started = time(NULL);
	args[n++] = argv[0];
	args[n++] = "-f";
	args[n++] = "-s";
	args[n++] = "-o";
	args[n++] = "fsname=pfnlab,subtype=pfnlab";
	args[n++] = argv[1];
	args[n] = NULL;
	return fuse_main(n, args, &pf_ops, NULL);
}
