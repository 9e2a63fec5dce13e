// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_id: the server's persistent identity, a random uuid kept in the
 * file "uuid" of the data directory (32 hex digits and a newline),
 * generated with getrandom() on the first start and reused afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "server/ssrv.h"

static int id_parse(const char *s, u8 uuid[16])
{
	unsigned int v, i;

	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		uuid[i] = (u8)v;
	}
	return 0;
}

/**
 * ssrv_uuid_load() - read the server uuid, creating it on first use
 * @data_dir: --data-dir (must exist)
 * @uuid: the uuid
 * @err: room for the reason of a failure
 * @errlen: its size
 * Return: 0 or -errno.
 */
int ssrv_uuid_load(const char *data_dir, u8 uuid[16], char *err, size_t errlen)
{
	char path[4096], tmp[4200], text[64];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "%s/uuid", data_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n < 32 || (text[n] = '\0', id_parse(text, uuid))) {
			snprintf(err, errlen, "%s: not a server uuid", path);
			return -EINVAL;
		}
		return 0;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	if (getrandom(uuid, 16, 0) != 16) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -EIO;
	}
	uuid[6] = (uuid[6] & 0x0f) | 0x40;	/* version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++)
		sprintf(text + 2 * i, "%02x", uuid[i]);
	text[32] = '\n';
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, 33) != 33 || fsync(fd) ||
	    close(fd) || rename(tmp, path)) {
		int e = errno ? errno : EIO;

		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}
