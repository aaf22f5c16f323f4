# The public edge: an Application Load Balancer in front of the nginx fleet.
resource "aws_lb" "chat" {
  name               = "chat"
  load_balancer_type = "application"
  subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  idle_timeout       = 400
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.chat.arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/chat"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.nginx.arn
  }
}

resource "aws_lb_target_group" "nginx" {
  name                 = "chat-nginx"
  port                 = 80
  protocol             = "HTTP"
  vpc_id               = "vpc-0123456789abcdef0"
  deregistration_delay = 60

  health_check {
    path = "/healthz"
  }
}
