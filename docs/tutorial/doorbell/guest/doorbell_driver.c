// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * A Linux driver for the doorbell (docs/device-tutorial.md): it binds to
 * the device-tree node "tessera,doorbell", takes the interrupt, and on
 * each one reads the ring count and acknowledges.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>

#define DOORBELL_COUNT 0x04
#define DOORBELL_ACK   0x08

static irqreturn_t doorbell_interrupt(int irq, void *data)
{
	void __iomem *regs = data;
	u32 rings = readl(regs + DOORBELL_COUNT);

	writel(1, regs + DOORBELL_ACK);
	pr_info("doorbell: ring %u\n", rings);
	return IRQ_HANDLED;
}

/*
 * The registers are mapped without claiming them (devm_ioremap, not
 * devm_platform_ioremap_resource): Debian's kernel lets /dev/mem reach
 * only I/O ranges no driver claimed (CONFIG_IO_STRICT_DEVMEM), and the
 * tutorial rings the bell from the shell with busybox devmem.
 */
static int doorbell_probe(struct platform_device *pdev)
{
	struct resource *res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	int irq = platform_get_irq(pdev, 0);
	void __iomem *regs;

	if (!res)
		return -ENODEV;
	if (irq < 0)
		return irq;
	regs = devm_ioremap(&pdev->dev, res->start, resource_size(res));
	if (!regs)
		return -ENOMEM;
	dev_info(&pdev->dev, "doorbell on irq %d\n", irq);
	return devm_request_irq(&pdev->dev, irq, doorbell_interrupt, 0, "doorbell", regs);
}

static const struct of_device_id doorbell_ids[] = {
	{ .compatible = "tessera,doorbell" },
	{ }
};
MODULE_DEVICE_TABLE(of, doorbell_ids);

static struct platform_driver doorbell_driver = {
	.probe = doorbell_probe,
	.driver = {
		.name = "doorbell",
		.of_match_table = doorbell_ids,
	},
};
module_platform_driver(doorbell_driver);

MODULE_DESCRIPTION("Tessera tutorial doorbell");
MODULE_LICENSE("Dual MIT/GPL");
