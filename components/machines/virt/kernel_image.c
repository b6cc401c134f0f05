/* SPDX-License-Identifier: MIT */
/* A VM's kernel as the file is, or gunzipped (see <virt/kernel_image.h>). */
#include <virt/kernel_image.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/mm.h>
#include <lib/inflate.h>

int virt_kernel_image_prepare(const void *file, size_t file_size, uint64_t ram_size,
			      struct virt_kernel_image *k, char *err, size_t err_len)
{
	struct inflate_workspace *ws;
	struct inflate_result res;
	uint32_t isize;
	size_t pages;
	void *copy;
	int ret;

	memset(k, 0, sizeof(*k));
	k->file_size = file_size;
	if (!gzip_has_magic(file, file_size)) {
		k->data = file;
		k->size = file_size;
		return 0;
	}
	if (gzip_isize(file, file_size, &isize)) {
		snprintf(err, err_len, "is gzip-compressed but only %zu bytes long: truncated",
			 file_size);
		return -EINVAL;
	}
	/* ISIZE is the size modulo 2^32: a kernel of 4 GiB or more would
	 * look small here and then not fit; gunzip() stops at the buffer. */
	if (isize > ram_size) {
		snprintf(err, err_len, "is gzip-compressed and unpacks to %u MiB (its ISIZE), more "
			 "than the VM's %llu MiB of RAM", (unsigned int)(isize >> 20),
			 (unsigned long long)(ram_size >> 20));
		return -EINVAL;
	}
	pages = PAGE_ALIGN_UP((size_t)isize) / PAGE_SIZE;
	if (pages == 0)
		pages = 1;
	copy = page_alloc(pages);
	ws = kmalloc(sizeof(*ws));
	if (!copy || !ws) {
		snprintf(err, err_len, "is gzip-compressed and the hypervisor has not %zu MiB of "
			 "memory free to unpack it", (pages * PAGE_SIZE + (1u << 20) - 1) >> 20);
		kfree(ws);
		if (copy)
			page_free(copy, pages);
		return -ENOMEM;
	}
	ret = gunzip(ws, file, file_size, copy, isize, &res);
	kfree(ws);
	if (!ret && res.in_used != file_size) {
		snprintf(res.error, sizeof(res.error), "%zu bytes follow the gzip data (only "
			 "single-member files are supported)", file_size - res.in_used);
		ret = -EINVAL;
	}
	if (ret == -ENOSPC)
		/* Also what several concatenated gzip members look like. */
		snprintf(res.error, sizeof(res.error), "it unpacks to more than the %u bytes its "
			 "trailer (ISIZE) gives", (unsigned int)isize);
	if (ret) {
		snprintf(err, err_len, "is gzip-compressed but corrupt: %s", res.error);
		page_free(copy, pages);
		return -EINVAL;
	}
	k->data = copy;
	k->size = res.out_len;
	k->copy = copy;
	k->pages = pages;
	return 0;
}

void virt_kernel_image_release(struct virt_kernel_image *k)
{
	if (k->copy)
		page_free(k->copy, k->pages);
	memset(k, 0, sizeof(*k));
}
